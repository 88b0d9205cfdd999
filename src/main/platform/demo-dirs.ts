// Temporary folders for demo vaults: created on demand under the OS temp dir, removed on quit.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Owns the demo vault folders of this run. */
export class DemoDirs {
  private readonly dirs = new Set<string>()

  constructor(private readonly parent: string = os.tmpdir()) {}

  create(): string {
    const dir = fs.mkdtempSync(path.join(this.parent, 'tokendeck-demo-'))
    this.dirs.add(dir)
    return dir
  }

  get created(): readonly string[] {
    return [...this.dirs]
  }

  removeAll(): void {
    for (const dir of this.dirs) {
      fs.rmSync(dir, { recursive: true, force: true })
      this.dirs.delete(dir)
    }
  }
}
