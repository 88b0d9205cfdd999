// Demo mode's vault passphrase. Public on purpose: the demo vault is a throwaway that holds only
// the sandbox providers' published demo credentials; the unlock screen shows it in demo mode.
export const DEMO_PASSPHRASE = 'tokendeck-demo'
