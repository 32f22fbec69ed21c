// `_bmad/bmm/config.yaml` that cannot be used: bad YAML or a path with a placeholder we cannot resolve.
// Same message shape as LedgerError: `<file>:<line>:<col>: <reason>. Fix: <hint>`.

import { LocatedError } from '../LocatedError';

export class BmadConfigError extends LocatedError {
  override readonly name = 'BmadConfigError';
}
