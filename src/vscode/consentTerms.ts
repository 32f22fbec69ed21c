// What the one-time permission prompt shows and what its answer is remembered for. Pure (no `vscode`),
// so the fingerprint is unit-tested in Node. Everything that changes what agents may do or what runs
// on the user's machine is in both: the Claude command, permission mode, allowed tools, extra CLI
// arguments, the container (image, network, mounts, variables passed in) and the quality gates
// (commands the engine runs itself). A change of any of them asks again.

import type { SprintRunnerConfig } from './SprintRunnerSettings';

export type ConsentSettings = Pick<SprintRunnerConfig, 'permissionMode' | 'allowedTools' | 'claude' | 'extraArgs'> & {
  git: Pick<SprintRunnerConfig['git'], 'container' | 'qualityGates'>;
};

export function consentFingerprint(c: ConsentSettings): string {
  const k = c.git.container;
  return JSON.stringify({
    mode: c.permissionMode,
    tools: [...c.allowedTools].sort(),
    command: [c.claude.command, ...c.claude.args],
    extraArgs: c.extraArgs,
    container: k
      ? { runtime: k.runtime, image: k.image, command: k.command ?? 'claude', network: k.network ?? 'bridge', mounts: [...(k.extraMounts ?? [])].sort(), env: [...(k.envNames ?? [])].sort() }
      : null,
    gates: c.git.qualityGates.map((g) => (typeof g.command === 'string' ? g.command : [...g.command])),
  });
}

const quoted = (args: readonly string[]) => args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');

/** The prompt's detail text: one line per term, in the user's words. */
export function consentDetail(c: ConsentSettings): string {
  const lines = [`Command: ${c.claude.command}${c.claude.args.length ? ` ${quoted(c.claude.args)}` : ''}`];
  lines.push(`Permission mode: ${c.permissionMode}`);
  lines.push(`Allowed tools: ${c.allowedTools.length ? c.allowedTools.join(', ') : 'none listed'}`);
  if (c.extraArgs.length) lines.push(`Extra arguments: ${quoted(c.extraArgs)}`);
  const k = c.git.container;
  if (k) {
    const network = k.network ?? 'bridge';
    lines.push(
      `Container: ${k.image} (${k.runtime}), network ${network}${network === 'host' ? ' — shares this machine\'s network, including services on localhost' : ''}`,
    );
    if (k.extraMounts?.length) lines.push(`Folders mounted into the container (read and write): ${k.extraMounts.join(', ')}`);
    if (k.envNames?.length) lines.push(`Variables passed into the container: ${k.envNames.join(', ')}`);
  } else {
    lines.push('Container: none (agents run on this machine)');
  }
  if (c.git.qualityGates.length) {
    lines.push(`Quality gates run by Sprint Runner: ${c.git.qualityGates.map((g) => (typeof g.command === 'string' ? g.command : quoted(g.command))).join('; ')}`);
  }
  if (c.permissionMode === 'bypassPermissions') lines.push('', 'Agents may edit any file and run any command in this workspace without asking.');
  lines.push('', 'This is asked once per workspace (again if any of these settings change).');
  return lines.join('\n');
}
