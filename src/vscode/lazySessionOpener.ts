// Loads the engine (dist/session.js: SprintSession with sql.js, execa, the workflow engine and the Claude
// agent) on the first session the host opens, never at activation. Only types of it are imported here,
// so esbuild keeps all of that out of dist/extension.js (issue 4: activation < 50 ms).

import * as path from 'node:path';
import type * as SessionBundle from './openSprintSession';
import type { SessionOpener } from './SprintSessionHost';

/** The bundle scripts/build.mjs writes from src/vscode/openSprintSession.ts, next to dist/extension.js. */
export const SESSION_BUNDLE = 'session.js';

type BundleLoader = (file: string) => typeof SessionBundle;

// A computed path: esbuild leaves this require alone instead of inlining the engine.
const requireBundle: BundleLoader = (file) => require(file) as typeof SessionBundle;

/**
 * A SessionOpener that requires `<bundleDir>/session.js` the first time it is called and reuses it after.
 * `bundleDir` is where the running bundle lives (`__dirname` of dist/extension.js).
 */
export function lazySessionOpener(extensionRoot: string, bundleDir: string, load: BundleLoader = requireBundle): SessionOpener {
  let open: SessionOpener | undefined;
  return async (o) => {
    if (!open) {
      const file = path.join(bundleDir, SESSION_BUNDLE);
      let bundle: typeof SessionBundle;
      try {
        bundle = load(file);
      } catch (err) {
        throw new Error(
          `${file}: cannot load the sprint engine bundle (${(err as Error).message}). ` +
            'Rebuild with `npm run build`, which writes dist/session.js next to dist/extension.js, or reinstall the extension.',
        );
      }
      if (typeof bundle.openSprintSession !== 'function') {
        throw new Error(`${file}: does not export openSprintSession; it is not the bundle of src/vscode/openSprintSession.ts. Rebuild with \`npm run build\`.`);
      }
      open = bundle.openSprintSession(extensionRoot);
    }
    return open(o);
  };
}
