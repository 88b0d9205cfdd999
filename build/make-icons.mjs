// Draws TokenDeck's icons as PNGs with nothing but node:zlib: a 512x512 app icon (a deck of three
// token cards on an indigo tile) and 16/32 px tray template icons (black + alpha, as macOS wants).
// Writes build/icon.png, build/tray/*.png and src/main/platform/tray-icon-data.ts (the tray
// icons as base64, so the packaged app needs no icon files at run time).
// Run: node build/make-icons.mjs (the output is committed; run again after changing a shape).
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

const here = path.dirname(new URL(import.meta.url).pathname)
const root = path.resolve(here, '..')

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** Encodes RGBA pixels (Uint8Array, width*height*4) as a PNG. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0 // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(
      raw,
      y * (width * 4 + 1) + 1,
    )
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** Signed distance from (px, py) to a rounded rectangle (negative inside). */
function roundedRect(px, py, x, y, w, h, r) {
  const cx = x + w / 2
  const cy = y + h / 2
  const qx = Math.abs(px - cx) - (w / 2 - r)
  const qy = Math.abs(py - cy) - (h / 2 - r)
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0))
  return outside + Math.min(Math.max(qx, qy), 0) - r
}

/** Renders `shade(x, y) -> [r, g, b, a] | null` (in 0..1 units) with 4x4 supersampling. */
function render(size, shade) {
  const out = new Uint8Array(size * size * 4)
  const S = 4
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = shade((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size)
          if (!c) continue
          r += c[0] * c[3]
          g += c[1] * c[3]
          b += c[2] * c[3]
          a += c[3]
        }
      }
      const i = (y * size + x) * 4
      const n = S * S
      out[i + 3] = Math.round((a / n) * 255)
      if (a > 0) {
        out[i] = Math.round((r / a) * 255)
        out[i + 1] = Math.round((g / a) * 255)
        out[i + 2] = Math.round((b / a) * 255)
      }
    }
  }
  return out
}

// Three cards, back to front, in unit coordinates.
const CARDS = [
  { x: 0.34, y: 0.2, w: 0.46, h: 0.32 },
  { x: 0.27, y: 0.34, w: 0.46, h: 0.32 },
  { x: 0.2, y: 0.48, w: 0.46, h: 0.32 },
]

function appIcon(u, v) {
  if (roundedRect(u, v, 0.04, 0.04, 0.92, 0.92, 0.2) > 0) return null
  // Tile: indigo, lighter at the top.
  let color = [0.24 + 0.12 * (1 - v), 0.26 + 0.1 * (1 - v), 0.72 + 0.12 * (1 - v), 1]
  CARDS.forEach((c, i) => {
    const d = roundedRect(u, v, c.x, c.y, c.w, c.h, 0.05)
    if (d <= 0) {
      const tone = 0.82 + i * 0.09
      color = [tone, tone, Math.min(1, tone + 0.04), 1]
      // A "token" stripe on the front card.
      if (i === CARDS.length - 1 && v > c.y + 0.2 && v < c.y + 0.24 && u > c.x + 0.06) {
        if (u < c.x + c.w - 0.1) color = [0.24, 0.26, 0.72, 1]
      }
    } else if (d <= 0.012) {
      color = [0.12, 0.13, 0.4, 1] // card outline
    }
  })
  return color
}

function trayIcon(u, v) {
  // Template image: black, the shape carried by alpha. Outlined cards, the front one filled.
  let hit = false
  CARDS.forEach((c, i) => {
    const x = c.x - 0.08
    const y = c.y - 0.04
    const d = roundedRect(u, v, x, y, c.w + 0.12, c.h + 0.08, 0.08)
    if (i === CARDS.length - 1) {
      if (d <= 0) hit = true
    } else if (d <= 0 && d > -0.09) {
      hit = true
    }
  })
  return hit ? [0, 0, 0, 1] : null
}

function write(rel, buf) {
  const file = path.join(root, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, buf)
  return buf
}

const icon = write('build/icon.png', encodePng(512, 512, render(512, appIcon)))
const tray16 = write('build/tray/trayTemplate.png', encodePng(16, 16, render(16, trayIcon)))
const tray32 = write('build/tray/trayTemplate@2x.png', encodePng(32, 32, render(32, trayIcon)))
// Windows and Linux panels are often dark, where a black template would vanish: a color icon.
const color16 = write('build/tray/tray.png', encodePng(16, 16, render(16, appIcon)))
const color32 = write('build/tray/tray@2x.png', encodePng(32, 32, render(32, appIcon)))

const ts = `// Generated by build/make-icons.mjs: the tray icons as base64 PNGs, 16 px and 32 px (@2x): black +
// alpha templates for macOS, color ones elsewhere. Do not edit; run node build/make-icons.mjs.

export const TRAY_TEMPLATE_16 =
  '${tray16.toString('base64')}'

export const TRAY_TEMPLATE_32 =
  '${tray32.toString('base64')}'

export const TRAY_COLOR_16 =
  '${color16.toString('base64')}'

export const TRAY_COLOR_32 =
  '${color32.toString('base64')}'
`
write('src/main/platform/tray-icon-data.ts', Buffer.from(ts))
console.log(
  `icons: app ${icon.length} B, tray ${tray16.length + tray32.length + color16.length + color32.length} B`,
)
