import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isId, newId } from '../../shared/domain/ids.ts';
import type { DeadLetter, DeadLetterStore, NewDeadLetter } from '../../shared/events/dead-letters.ts';

/**
 * Dead letters as files, one JSON document per letter under `<KITH_HOME>/dlq`, so they survive
 * a restart of `npm start` and can be read with any editor. Writes go through a temporary file
 * and a rename, so a crash never leaves half a letter.
 */
export class FileDeadLetterStore implements DeadLetterStore {
  private readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  async add(letter: NewDeadLetter): Promise<DeadLetter> {
    const stored: DeadLetter = { id: newId(), ...letter };
    await this.write(stored);
    return stored;
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    if (!isId(id)) return undefined;
    try {
      return JSON.parse(await readFile(this.fileOf(id), 'utf8')) as DeadLetter;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .filter(isId)
      .sort();
  }

  async replace(letter: DeadLetter): Promise<void> {
    if (await this.get(letter.id)) await this.write(letter);
  }

  async remove(id: string): Promise<void> {
    if (isId(id)) await rm(this.fileOf(id), { force: true });
  }

  private async write(letter: DeadLetter): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temporary = join(this.directory, `.${letter.id}.tmp`);
    // Mode 600: letters hold event payloads, which may carry personal data.
    await writeFile(temporary, `${JSON.stringify(letter, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.fileOf(letter.id));
  }

  private fileOf(id: string): string {
    return join(this.directory, `${id}.json`);
  }
}
