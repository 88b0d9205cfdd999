// The passphrase rules every surface checks the same way: the vault, the window and the CLI.

/** A passphrase shorter than this is refused when a key slot is created. */
export const MIN_PASSPHRASE_LENGTH = 8
