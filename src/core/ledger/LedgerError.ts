// A sprint-status.yaml that cannot be used as it is: bad YAML, duplicate keys, no development_status,
// an unknown story. The message is `<file>:<line>:<col>: <reason>. Fix: <hint>` so editors and terminals
// link it to the spot.

import { LocatedError } from '../LocatedError';

export class LedgerError extends LocatedError {
  override readonly name = 'LedgerError';
}
