// Every test file gets a machine state folder of its own (seen-vaults.ts, trusted files), so no
// test reads what another left behind and none writes to the real user's state.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

process.env.TOKENDECK_STATE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-state-'))
