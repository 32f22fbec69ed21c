// Loads dist/ledger.js (yaml + the ledger parser) when the tree first resolves or a ledger command runs,
// never at activation. Only its types are imported here, so esbuild keeps yaml out of dist/extension.js.

import type * as LedgerBundle from './ledgerBundle';
import { requireBundle, type BundleLoader } from './requireBundle';

/** The bundle scripts/build.mjs writes from src/vscode/ledgerBundle.ts, next to dist/extension.js. */
export const LEDGER_BUNDLE = 'ledger.js';

export type LedgerModule = typeof LedgerBundle;

/** Requires `<bundleDir>/ledger.js` on the first call and returns the same module after. */
export function lazyLedger(bundleDir: string, load?: BundleLoader): () => LedgerModule {
  let loaded: LedgerModule | undefined;
  return () => (loaded ??= requireBundle<LedgerModule>(bundleDir, LEDGER_BUNDLE, 'findLayout', load));
}
