// Joins class names (CSS module classes and conditions), skipping false, null, undefined and ''.
export function cx(...names: (string | false | null | undefined)[]): string {
  return names.filter(Boolean).join(' ')
}
