// Loads the engine (dist/session.js: SprintSession with sql.js, execa, the workflow engine and the Claude
// agent) on the first session the host opens, never at activation. Only types of it are imported here,
// so esbuild keeps all of that out of dist/extension.js (activation stays under 50 ms).

import type * as SessionBundle from './openSprintSession';
import { requireBundle, type BundleLoader } from './requireBundle';
import type { SessionOpener } from './SprintSessionHost';

/** The bundle scripts/build.mjs writes from src/vscode/openSprintSession.ts, next to dist/extension.js. */
export const SESSION_BUNDLE = 'session.js';

/**
 * A SessionOpener that requires `<bundleDir>/session.js` the first time it is called and reuses it after.
 * `bundleDir` is where the running bundle lives (`__dirname` of dist/extension.js).
 */
export function lazySessionOpener(extensionRoot: string, bundleDir: string, load?: BundleLoader): SessionOpener {
  let open: SessionOpener | undefined;
  return async (o) => {
    open ??= requireBundle<typeof SessionBundle>(bundleDir, SESSION_BUNDLE, 'openSprintSession', load).openSprintSession(extensionRoot);
    return open(o);
  };
}
