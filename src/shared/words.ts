// Small words for people, one definition each: pluralisation for every surface.

/** "1 token", "3 tokens"; `many` for irregular plurals ("2 entries"). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`
}
