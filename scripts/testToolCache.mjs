// Where the test tools installed from npm live, and the environment their installs run in. Shared by the
// VS Code test host (code-server, Node 24) and the real-BMAD suite (bmad-method, the Claude CLI).
import os from 'node:os';
import path from 'node:path';

/** ~/.cache/sprint-runner-test, or SPRINT_RUNNER_TEST_CACHE / XDG_CACHE_HOME when set. */
export function testCacheBase() {
  return process.env.SPRINT_RUNNER_TEST_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'sprint-runner-test');
}

/**
 * The environment without what an enclosing `npm run`/`npm test` exports for its scripts. A nested npm
 * reads every `npm_config_*` variable as its own configuration: `npm_config_user_agent` names the outer
 * Node ("node/v20"), and code-server's postinstall reads its Node major from that agent string, so the
 * install refused Node 20 although it ran on Node 24. Only the cache and config-file locations are kept.
 */
export function withoutNpmScriptEnv(env = process.env) {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_registry']);
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    const lower = k.toLowerCase();
    if (lower.startsWith('npm_') && !keep.has(lower)) continue;
    if (k === 'NODE' || k === 'INIT_CWD') continue;
    out[k] = v;
  }
  return out;
}
