// tokendeck/architecture: which folders a file may import from. eslint.config.js gives each layer
// (the surfaces, the core) its own block with this rule and the modules it may not import. Each
// relative import (`import`, `import type`, `export ... from`, `import()`, `import('x').T` types)
// is resolved against the importing file to a repository path (no extension, `/index` dropped) and
// compared with the `restricted` entries:
//
//   { from: ['src/main/vault', 'src/main/app-*'], except?: ['src/main/actions'],
//     allowTypeImports?: true, message: '...' }
//
// `from` names a module or a folder (a folder covers everything below it); `*` matches within one
// path segment. `except` names modules (exact) that stay allowed; with `allowTypeImports`, an
// import that brings in types only (`import type`, or every specifier `type`) is allowed too.
// Bare package names (`electron`, `zod`) are left to no-restricted-imports.
import path from 'node:path'

const EXTENSION = /\.(?:d\.)?(?:[cm]?[jt]sx?)$/

/** A `from` or `except` entry as a regular expression over repository paths. */
function pattern(entry, folder) {
  const body = entry
    .replace(/\/+$/, '')
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*')
  return new RegExp(`^${body}${folder ? '(?:/.*)?' : ''}$`)
}

/** The repository path an import names: relative to the config's root, `/`, no extension. */
export function importTarget(root, filename, specifier) {
  if (!specifier.startsWith('.')) return null
  const abs = path.resolve(path.dirname(filename), specifier)
  const rel = path.relative(root, abs).split(path.sep).join('/')
  return rel.replace(EXTENSION, '').replace(/\/index$/, '')
}

/** Whether a declaration brings in types only. */
function typeOnly(node) {
  if (node.type === 'TSImportType') return true
  if (node.importKind === 'type' || node.exportKind === 'type') return true
  const specifiers = node.specifiers ?? []
  return (
    specifiers.length > 0 &&
    specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type')
  )
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Layers import only what they may: surfaces reach the core through src/main/actions (or the client), the core imports no surface (docs/architecture.md).',
    },
    schema: [
      {
        type: 'object',
        properties: {
          restricted: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                from: { type: 'array', items: { type: 'string' }, minItems: 1 },
                except: { type: 'array', items: { type: 'string' } },
                allowTypeImports: { type: 'boolean' },
                message: { type: 'string' },
              },
              required: ['from', 'message'],
              additionalProperties: false,
            },
          },
        },
        required: ['restricted'],
        additionalProperties: false,
      },
    ],
    messages: { restricted: "'{{target}}': {{message}}" },
  },
  create(context) {
    const [{ restricted }] = context.options
    const rules = restricted.map((r) => ({
      from: r.from.map((f) => pattern(f, true)),
      except: (r.except ?? []).map((e) => pattern(e, false)),
      allowTypeImports: r.allowTypeImports === true,
      message: r.message,
    }))
    const root = context.cwd

    function check(node, source) {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return
      const target = importTarget(root, context.filename, source.value)
      if (target === null) return
      for (const r of rules) {
        if (!r.from.some((re) => re.test(target))) continue
        if (r.except.some((re) => re.test(target))) continue
        if (r.allowTypeImports && typeOnly(node)) continue
        context.report({
          node: source,
          messageId: 'restricted',
          data: { target: source.value, message: r.message },
        })
        return
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.argument?.literal ?? node.argument),
    }
  },
}
