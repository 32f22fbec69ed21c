// Registers every command of the SprintCommands table. A command given its argument (a key binding, a
// script, a test) shows no input box, quick pick, modal or confirmation; without one it asks.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { NodeFileSystem } from '../infra/NodeFileSystem';
import type { DashboardRegistration } from './dashboard/registerDashboard';
import type { PermissionConsent } from './PermissionConsent';
import { runDoctor, showDoctorReport } from './doctor/doctorCommand';
import { epicsFiles, firstOpenStoryOfEpic, locateEpic } from './epicTargets';
import { epicIdOf, parseCycles, SprintCommands, storyKeyOf, type EpicArgument, type SprintCommandHandlers, type StoryArgument } from './SprintCommands';
import type { SprintOutput } from './SprintOutput';
import type { SprintRunnerSettings } from './SprintRunnerSettings';
import { SprintUserError, type SprintSessionHost } from './SprintSessionHost';
import type { SprintTreeProvider } from './SprintTreeProvider';

const LAST_CYCLES_KEY = 'sprintRunner.lastCycles';

export interface SprintCommandDeps {
  context: vscode.ExtensionContext;
  host: SprintSessionHost;
  settings: SprintRunnerSettings;
  tree: SprintTreeProvider;
  output: SprintOutput;
  consent: PermissionConsent;
  dashboard: () => DashboardRegistration;
}

/** A tree element comes from a click in the UI (may ask); a string key comes from a script (never asks). */
function isFromUi(arg: StoryArgument | undefined): boolean {
  return typeof arg === 'object' && arg !== null;
}

export function createSprintCommandHandlers(d: SprintCommandDeps): SprintCommandHandlers {
  const { host, settings, output, consent, context } = d;

  /** Interactive runs ask for the folder (multi-root) and the permission consent first. */
  const prepareInteractive = async (): Promise<boolean> => {
    await host.chooseFolder();
    return consent.ensure(settings.current);
  };
  const logScriptedConsent = () => {
    const c = settings.current;
    if (!consent.isGiven(c)) output.log.info(`Started by a command argument: agents run with permission mode ${c.permissionMode} (no prompt for scripted runs).`);
  };

  const pickStory = async (arg: StoryArgument | undefined, filter: (status: string) => boolean, title: string): Promise<string | undefined> => {
    const key = storyKeyOf(arg);
    if (key) return key;
    const snap = await host.readLedger();
    const items = (snap?.stories ?? []).filter((s) => filter(s.status)).map((s) => ({ label: s.key, description: s.status }));
    if (items.length === 0) throw new SprintUserError(`No story can be picked for "${title}".`);
    return (await vscode.window.showQuickPick(items, { title }))?.label;
  };

  const pickEpic = async (arg: EpicArgument | undefined, title: string): Promise<string | undefined> => {
    const id = epicIdOf(arg);
    if (id) return id;
    const snap = await host.readLedger();
    const ids = [...new Set((snap?.stories ?? []).map((s) => s.epicId))];
    if (ids.length === 0) throw new SprintUserError(`No epic can be picked for "${title}".`);
    return (await vscode.window.showQuickPick(ids.map((e) => ({ label: `Epic ${e}`, epicId: e })), { title }))?.epicId;
  };

  return {
    [SprintCommands.runCycles]: async (arg) => {
      let cycles = arg === undefined ? undefined : parseCycles(arg);
      if (arg !== undefined && cycles === undefined) {
        throw new SprintUserError(`"${String(arg)}" is not a number of cycles: use a whole number ≥ 1 or "all".`);
      }
      if (cycles === undefined) {
        const last = context.workspaceState.get<string>(LAST_CYCLES_KEY) ?? String(settings.current.defaultCycles);
        const input = await vscode.window.showInputBox({
          title: 'Sprint Runner: Run N Cycles',
          prompt: 'How many cycles? A number, or "all" to run until every story is done or blocked.',
          value: last,
          validateInput: (v) => (parseCycles(v.trim()) === undefined ? 'A whole number ≥ 1, or "all"' : undefined),
        });
        if (input === undefined) return undefined;
        cycles = parseCycles(input.trim());
        if (cycles === undefined) return undefined;
        await context.workspaceState.update(LAST_CYCLES_KEY, String(cycles));
        if (!(await prepareInteractive())) return undefined;
      } else {
        logScriptedConsent();
      }
      return host.runUntilEnd(cycles);
    },
    [SprintCommands.runAll]: async () => {
      if (!(await prepareInteractive())) return undefined;
      return host.runUntilEnd('all');
    },
    [SprintCommands.pause]: () => host.pause(),
    // Resuming starts agents again, with today's settings: the same consent as a start (asked only when
    // it was not given for these settings). The API's resume() is the scripted path and never asks.
    [SprintCommands.resume]: async () => {
      if (!(await consent.ensure(settings.current))) return undefined;
      return host.resumeUntilEnd();
    },
    [SprintCommands.stop]: (reason) => host.stop(typeof reason === 'string' && reason ? reason : 'Stopped by the user'),
    [SprintCommands.openDashboard]: () => d.dashboard().show(),
    [SprintCommands.refreshTree]: async () => {
      // Finds the ledger again too: it may have appeared or moved since the view last looked.
      await host.rediscover();
      d.tree.refresh();
    },
    [SprintCommands.openLedger]: async () => {
      const layout = await host.layout();
      if (!layout) throw new SprintUserError('No sprint-status.yaml in this workspace. Use "Sprint Runner: Create sprint-status.yaml from Template".');
      await vscode.window.showTextDocument(vscode.Uri.file(layout.ledgerPath));
    },
    [SprintCommands.createLedger]: async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) throw new SprintUserError('Open a folder first: the sprint-status.yaml is created in it.');
      if (!vscode.workspace.isTrusted) throw new SprintUserError('Trust the workspace to create files in it.');
      const created = await host.ledger().createLedger(folder.uri.fsPath, new NodeFileSystem(), {
        templatePath: path.join(context.extensionUri.fsPath, 'media', 'templates', 'sprint-status-template.yaml'),
        ...(settings.current.ledgerPath ? { ledgerPath: settings.current.ledgerPath } : {}),
      });
      output.log.info(`Created ${created.path} with ${created.storyCount} stories${created.epicsSources.length ? ` from ${created.epicsSources.join(', ')}` : ''}`);
      await host.chooseFolder();
      await host.rediscover();
      d.tree.refresh();
      await vscode.window.showTextDocument(vscode.Uri.file(created.path));
      return created.path;
    },
    [SprintCommands.showOutput]: (channel) => (channel === 'agents' ? output.agents.show(true) : output.log.show(true)),
    [SprintCommands.resumeStory]: async (arg) => {
      const key = await pickStory(arg, (s) => s !== 'done', 'Resume which story?');
      if (!key) return undefined;
      if (arg === undefined || isFromUi(arg)) {
        if (!(await prepareInteractive())) return undefined;
      } else logScriptedConsent();
      return host.resumeStoryUntilEnd(key);
    },
    [SprintCommands.openStory]: async (arg) => {
      const key = await pickStory(arg, () => true, 'Open which story?');
      if (key) await host.openStory(key);
    },
    [SprintCommands.blockStory]: async (arg, reason) => {
      const key = await pickStory(arg, (s) => s !== 'done' && s !== 'blocked', 'Mark which story blocked?');
      if (!key) return;
      let why = typeof reason === 'string' && reason.trim() ? reason.trim() : undefined;
      if (!why && (arg === undefined || isFromUi(arg))) {
        const input = await vscode.window.showInputBox({ title: `Mark ${key} blocked`, prompt: 'Why? (recorded with the block)', value: 'Marked blocked by the user' });
        if (input === undefined) return;
        why = input.trim() || undefined;
      }
      await host.blockStory(key, why ?? 'Marked blocked by the user');
    },
    [SprintCommands.unblockStory]: async (arg) => {
      const key = await pickStory(arg, (s) => s === 'blocked', 'Unblock which story?');
      if (key) await host.unblockStory(key);
    },
    [SprintCommands.showStoryInDashboard]: async (arg) => {
      const key = await pickStory(arg, () => true, 'Show which story?');
      if (key) d.dashboard().show({ storyKey: key });
    },
    [SprintCommands.runEpic]: async (arg) => {
      const epicId = await pickEpic(arg, 'Run the next cycle of which epic?');
      if (!epicId) return undefined;
      const snap = await host.readLedger();
      if (!snap) throw new SprintUserError('No sprint-status.yaml in this workspace.');
      const first = firstOpenStoryOfEpic(snap, epicId);
      if (!first) throw new SprintUserError(`Epic ${epicId} has no story left to run in ${snap.path}: every story is done or blocked (Resume Story runs a blocked one).`);
      if (arg === undefined || typeof arg === 'object') {
        if (!(await prepareInteractive())) return undefined;
      } else logScriptedConsent();
      output.log.info(`Run Next Cycle of Epic ${epicId}: one cycle starting with ${first.key}.`);
      return host.runUntilEnd(1, first.key);
    },
    [SprintCommands.openEpic]: async (arg) => {
      const epicId = await pickEpic(arg, 'Open which epic?');
      if (!epicId) return;
      const layout = await host.layout();
      if (!layout) throw new SprintUserError('No sprint-status.yaml in this workspace.');
      const fs = new NodeFileSystem();
      const at = await locateEpic(await epicsFiles(layout.planningArtifacts, fs), epicId, fs);
      if (!at) throw new SprintUserError(`No epics file: looked for ${path.join(layout.planningArtifacts, 'epics.md')} and ${path.join(layout.planningArtifacts, 'epics', '*.md')}. BMAD's create-epics-and-stories writes it.`);
      const pos = new vscode.Position(at.line - 1, 0);
      await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(pos, pos), preview: true });
      if (!at.found) void vscode.window.showInformationMessage(`${path.basename(at.file)} has no "Epic ${epicId}" heading.`);
    },
    [SprintCommands.doctor]: async (quiet) => {
      if (!vscode.workspace.isTrusted) throw new SprintUserError('Check Setup runs the configured programs: trust the workspace first.');
      const report = await runDoctor(host, settings);
      await showDoctorReport(report, host.ledger().formatSetupReport(report), output.log, quiet !== undefined);
      return report;
    },
    [SprintCommands.openDocs]: async (page) => {
      const name = typeof page === 'string' && /^[a-z-]+$/.test(page) ? page : 'extension';
      const uri = vscode.Uri.joinPath(context.extensionUri, 'docs', `${name}.md`);
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        throw new SprintUserError(`${uri.fsPath} is missing from this installation.`);
      }
      await vscode.commands.executeCommand('markdown.showPreview', uri);
      return uri.fsPath;
    },
  };
}

export function registerSprintCommands(d: SprintCommandDeps): vscode.Disposable[] {
  const handlers = createSprintCommandHandlers(d);
  return (Object.keys(handlers) as (keyof SprintCommandHandlers)[]).map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      const scripted = args.length > 0 && args[0] !== undefined && !isFromUi(args[0] as StoryArgument);
      try {
        // The table types each handler's arguments; the command service passes unknown values.
        return await (handlers[id] as (...a: unknown[]) => unknown)(...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        d.output.log.error(`${id}: ${message}`);
        if (scripted) throw err; // a script/test sees the rejection; no notification on top
        if (err instanceof SprintUserError) void vscode.window.showWarningMessage(message);
        else void vscode.window.showErrorMessage(`Sprint Runner: ${message}`, 'Show Output').then((p) => p && d.output.log.show());
        return undefined;
      }
    }),
  );
}
