// A stand-alone orchestrator for the orphan test: runs one hanging step through ClaudeAgent and waits
// to be SIGKILLed. argv: <sim path> <workspace root> <state dir> <scenario file>
import { ClaudeAgent } from '../../../../src/infra/claude/ClaudeAgent';

const [sim, root, stateDir, scenario] = process.argv.slice(2);
const agent = new ClaudeAgent({
  command: sim,
  logDir: `${stateDir}/logs`,
  stateDir,
  snapshotIntervalMs: 100,
  env: { IS_SANDBOX: '1', SIM_CLAUDE_SCENARIO: scenario },
});
void agent.execute({
  runId: 'r', batchId: 1, cycle: 1, stepKey: 'c1/dev-story/1-1/a1', command: 'dev-story', storyKeys: ['1-1-hello-world'],
  epicId: '1', attempt: 1, prompt: 'hang', cwd: root, env: {}, signal: new AbortController().signal,
});
