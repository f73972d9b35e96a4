// Draws Jumpgate's icons and writes them as PNG files under build/:
//   build/icon.png                         512x512 app icon (electron-builder's buildResources)
//   build/tray/tray-<status>.png (+ @2x)   16x16 and 32x32 tray icons, one per tunnel status
//
// No dependencies: shapes are described as point-in-shape tests in unit coordinates,
// each pixel is anti-aliased by sampling an NxN grid inside it (coverage sampling),
// and the RGBA result is encoded as a PNG with node:zlib. The output is deterministic,
// so re-running the script leaves committed files unchanged.
//
// Usage: node scripts/makeIcons.mjs
import { Buffer } from 'node:buffer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { stdout } from 'node:process';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------
// PNG encoding

// zlib.crc32 (PNG's CRC-32) exists on every Node package.json allows (>= 22.12).
const crc32 = (bytes) => zlib.crc32(bytes) >>> 0;

function pngChunk(type, data) {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return out;
}

/** Encodes straight (non-premultiplied) 8-bit RGBA pixels, row-major, as a PNG. */
export function encodePng(width, height, rgba) {
  if (rgba.length !== width * height * 4) throw new Error('pixel buffer does not match the size');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: truecolour with alpha
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  // Each scanline starts with its filter type; 0 (None) is enough for icons this small.
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------
// Geometry (unit square, y grows downwards)

function roundedRectContains(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** Distance from (x, y) to the arch's centre line: two posts joined by a half circle. */
function archDistance(x, y, a) {
  if (y >= a.cy) {
    // beside the posts: distance to the nearer vertical segment
    const dy = y > a.bottom ? y - a.bottom : 0;
    const dx = Math.min(Math.abs(x - (a.cx - a.r)), Math.abs(x - (a.cx + a.r)));
    return Math.hypot(dx, dy);
  }
  return Math.abs(Math.hypot(x - a.cx, y - a.cy) - a.r);
}

function circleContains(x, y, cx, cy, r) {
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

const hex = (s) => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16));
const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);

const TEAL_TOP = hex('#15808a');
const TEAL_BOTTOM = hex('#0a4a52');
const WHITE = [255, 255, 255];
const STATUS = {
  idle: null, // the plain mark: nothing is open
  open: hex('#22c55e'),
  reconnecting: hex('#f59e0b'),
  failed: hex('#ef4444'),
};

/**
 * The mark: a deep-teal rounded tile with a white gate (an arch whose posts stand on the
 * tile's lower edge area). `tile` is the tile's margin; `stroke` the arch's thickness;
 * `keyhole` adds a dot inside the gate (only legible at app-icon size); `status` adds a
 * coloured dot in the lower right, cut out of the tile by a transparent ring.
 */
function markScene({ margin, radius, arch, stroke, keyhole, status }) {
  const t0 = margin;
  const t1 = 1 - margin;
  return (x, y) => {
    if (status) {
      const { cx, cy, r, gap, color } = status;
      if (circleContains(x, y, cx, cy, r)) return [...color, 255];
      if (circleContains(x, y, cx, cy, r + gap)) return null;
    }
    if (!roundedRectContains(x, y, t0, t0, t1, t1, radius)) return null;
    const ux = (x - t0) / (t1 - t0);
    const uy = (y - t0) / (t1 - t0);
    if (uy <= arch.bottom && archDistance(ux, uy, arch) <= stroke / 2) return [...WHITE, 255];
    if (keyhole && circleContains(ux, uy, keyhole.cx, keyhole.cy, keyhole.r)) return [...WHITE, 255];
    return [...mix(TEAL_TOP, TEAL_BOTTOM, uy), 255];
  };
}

/** Renders scene(x, y) -> [r, g, b, a] | null over size x size pixels, n x n samples each. */
function render(size, samples, scene) {
  const out = new Uint8Array(size * size * 4);
  const n2 = samples * samples;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // accumulate premultiplied colour so edges blend to transparent, not to black
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = scene((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!c) continue;
          const alpha = c[3] / 255;
          r += c[0] * alpha;
          g += c[1] * alpha;
          b += c[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / n2) * 255);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// The icons

function write(file, size, samples, scene) {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(size, size, render(size, samples, scene)));
  stdout.write(`wrote ${relative(root, path)} (${size}x${size})\n`);
}

// App icon: a little margin around the tile so it sits well beside other apps' icons.
write(
  'build/icon.png',
  512,
  6,
  markScene({
    margin: 0.06,
    radius: 0.2,
    arch: { cx: 0.5, cy: 0.44, r: 0.22, bottom: 0.8 },
    stroke: 0.11,
    keyhole: { cx: 0.5, cy: 0.56, r: 0.065 },
    status: null,
  }),
);

// Tray: full-bleed tile and a thicker arch so it still reads at 16 px. The geometry is
// chosen so the posts fall on whole pixels at 16 px (x 3..5 and 11..13) and at 32 px.
for (const [name, color] of Object.entries(STATUS)) {
  const scene = markScene({
    margin: 0,
    radius: 0.22,
    arch: { cx: 0.5, cy: 0.4375, r: 0.25, bottom: 0.8125 },
    stroke: 0.125,
    keyhole: null,
    status: color && { cx: 0.75, cy: 0.75, r: 0.21, gap: 0.07, color },
  });
  write(`build/tray/tray-${name}.png`, 16, 16, scene);
  write(`build/tray/tray-${name}@2x.png`, 32, 16, scene);
}
