export function testCacheBase(): string;
export function withoutNpmScriptEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
