// Debian's Chromium with the flags that work on this kind of machine (no sandbox as root, no GPU,
// no background traffic to a network that is closed). Shared by the e2e config and the bench.
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}
