// Which BMAD workflow each step of the run would load, and whether one the run needs is missing: the same
// detection and mapping the session uses, so the doctor refuses exactly what the run would refuse.

import { checkBmadWorkflows } from '../bmad/bmadDoctorCheck';
import type { CheckResult, DoctorCheck } from './DoctorCheck';

export const bmadWorkflowsCheck: DoctorCheck = {
  id: 'bmad-workflows',
  async run(ctx): Promise<CheckResult> {
    const { check } = await checkBmadWorkflows(ctx.workspaceRoot, ctx.fs, {
      homeDir: ctx.host.homeDir,
      missingWorkflows: ctx.bmadMissingWorkflows ?? 'refuse',
    });
    const data = check.data && typeof check.data === 'object' ? (check.data as Record<string, unknown>) : undefined;
    return { id: check.id, title: check.title, status: check.status, detail: check.detail, ...(check.fix ? { fix: check.fix } : {}), ...(data ? { data } : {}) };
  },
};
