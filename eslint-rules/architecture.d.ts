// Types for the plain-ESM rule next to this file, so TypeScript tests can import it.
import type { Rule } from 'eslint'

declare const rule: Rule.RuleModule
export default rule
export function importTarget(root: string, filename: string, specifier: string): string | null
