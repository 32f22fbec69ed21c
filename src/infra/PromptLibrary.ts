// Loads step prompts: the workspace copy in `_bmad/bmm/workflows/4-implementation/sprint-runner/prompts/`
// wins over the one shipped with the product (`prompts/`, copied next to the bundle).

import * as path from 'node:path';
import type { StepCommand } from '../core/commands';
import type { FileSystem } from '../core/fs/FileSystem';
import type { LoadedPrompt, PromptSource } from '../core/prompts/PromptSource';
import { checkPromptTemplate } from '../core/prompts/renderPrompt';
import { NodeFileSystem } from './NodeFileSystem';

export interface PromptLibraryOptions {
  /** Folder of the shipped prompts (`<extension>/prompts` or `dist/prompts`). */
  shippedDir: string;
  /** Workspace override folder (`WorkspaceLayout.promptOverrideDir`). */
  overrideDir?: string;
  fs?: FileSystem;
  /** Told once per file the first time a workspace override is used instead of the shipped prompt. */
  onOverride?: (command: StepCommand, file: string) => void;
}

export class PromptLibrary implements PromptSource {
  private readonly fs: FileSystem;
  private readonly announced = new Set<string>();

  constructor(private readonly options: PromptLibraryOptions) {
    this.fs = options.fs ?? new NodeFileSystem();
  }

  async load(command: StepCommand): Promise<LoadedPrompt> {
    const name = `${command}.md`;
    const candidates = [this.options.overrideDir, this.options.shippedDir]
      .filter((d): d is string => d !== undefined)
      .map((d) => path.join(d, name));
    for (const file of candidates) {
      const stat = await this.fs.stat(file);
      if (!stat?.isFile) continue;
      const text = await this.fs.readText(file);
      checkPromptTemplate(text, file);
      if (this.options.overrideDir !== undefined && file.startsWith(this.options.overrideDir) && !this.announced.has(file)) {
        this.announced.add(file);
        this.options.onOverride?.(command, file);
      }
      return { text, path: file };
    }
    throw new Error(
      `No prompt for step "${command}": looked for ${candidates.join(' and ')}. ` +
        `Reinstall the extension or put a ${name} in the workspace prompt folder.`,
    );
  }
}
