// Output: the orchestrator's log ("Sprint Runner", a LogOutputChannel) and the children's rendered
// stream ("Sprint Runner: Agents"), each line prefixed by story and command as it arrives:
// `[1-1,1-2 create-story#1] Reading the epics…`.

import * as vscode from 'vscode';
import type { SprintEvent } from '../core/SprintEvents';
import { agentLinePrefix, describeEvent } from './describeEvent';

export class SprintOutput implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly agents: vscode.OutputChannel;

  constructor() {
    this.log = vscode.window.createOutputChannel('Sprint Runner', { log: true });
    this.agents = vscode.window.createOutputChannel('Sprint Runner: Agents');
  }

  handle(e: SprintEvent): void {
    if (e.type === 'command:output') {
      // The renderer already prefixes its lines with story and command; retry notices come bare.
      this.agents.appendLine(e.line.startsWith('[') ? e.line : `${agentLinePrefix(e.storyKeys, e.command, e.attempt)} ${e.line}`);
      return;
    }
    if (e.type === 'command:start') this.agents.appendLine(`${agentLinePrefix(e.storyKeys, e.command, e.attempt)} ── started ──`);
    const line = describeEvent(e);
    if (line) this.log[line.level](line.text);
  }

  dispose(): void {
    this.log.dispose();
    this.agents.dispose();
  }
}
