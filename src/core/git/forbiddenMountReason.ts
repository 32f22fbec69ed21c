// Folders an agent's container must never get, whatever the settings say (mount settings can come from
// a workspace's own settings file). Pure: the settings check (extension) and the argv builder (agent)
// share it.

/** `/a//b/./c/../d/` → `/a/b/d`; backslashes read as slashes. */
function normalizePosix(p: string): string {
  const parts: string[] = [];
  for (const part of p.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return /^[A-Za-z]:$/.test(parts[0] ?? '') ? parts.join('/') : `/${parts.join('/')}`;
}

/**
 * Why `p` may not be mounted, or undefined when it may: the host's root or system folders (the agent
 * could rewrite the host), and a container runtime's control socket or the folders holding it (the agent
 * could start a privileged container of its own).
 */
export function forbiddenMountReason(p: string): string | undefined {
  const n = normalizePosix(p);
  if (n === '/' || /^[A-Za-z]:$/.test(n)) return "it is the host's root folder";
  if (/\.sock$/i.test(n) || /(^|\/)(docker|podman|containerd)(\/|$)/i.test(n)) return "it gives access to the container runtime's control socket";
  if (/^\/(etc|proc|sys|dev|boot|run|var\/run|var\/lib|usr|bin|sbin|lib|lib64)(\/|$)/.test(n)) return 'it is a system folder of the host';
  return undefined;
}
