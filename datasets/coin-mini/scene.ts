import type { Rng } from './prng.ts'

/**
 * An "image" of CoIN-mini: a JSON scene file the embedded learner featurises (class, colour,
 * position cell, size, printed words) instead of pixels. Boxes are integer pixels, x/y top-left.
 * Key order is fixed here because the files must be byte-identical for a seed.
 */
export interface SceneObject {
  class: string
  color: string
  x: number
  y: number
  w: number
  h: number
  text?: string
}

export interface Scene {
  width: number
  height: number
  objects: SceneObject[]
}

/** A cell of the 3×3 grid every object is placed in; the learner's position bins use the same grid. */
export interface Cell {
  row: number
  col: number
}

export const GRID = 3
export const ALL_CELLS: readonly Cell[] = Array.from({ length: GRID * GRID }, (_, i) => ({
  row: Math.floor(i / GRID),
  col: i % GRID,
}))

/** Image shapes a scene can have; Grounding uses only the first so its answer set stays small. */
export const IMAGE_SIZES: readonly (readonly [number, number])[] = [
  [640, 480],
  [480, 640],
  [512, 512],
]

/**
 * Object sizes as a fraction of a grid cell's sides. The two are far apart (about 1.8% vs 9% of
 * the image area) so that a coarse size bin tells them apart.
 */
export type SizeClass = 'small' | 'large'
const SIZE_FRACTION: Record<SizeClass, { exact: number; lo: number; hi: number }> = {
  small: { exact: 0.4, lo: 0.34, hi: 0.46 },
  large: { exact: 0.9, lo: 0.82, hi: 0.96 },
}

export interface Placement {
  cls: string
  color: string
  cell: Cell
  size: SizeClass
  text?: string
}

/**
 * The box of an object in a cell. With `rng` the size and offset are jittered inside the cell (so
 * no two scenes are pixel-identical); without it the box is snapped: centred, exact fraction.
 * Either way the box stays inside its cell, so its centre's cell is `cell`.
 */
export function boxInCell(
  width: number,
  height: number,
  cell: Cell,
  size: SizeClass,
  rng?: Rng,
): Pick<SceneObject, 'x' | 'y' | 'w' | 'h'> {
  const x0 = Math.round((cell.col * width) / GRID)
  const x1 = Math.round(((cell.col + 1) * width) / GRID)
  const y0 = Math.round((cell.row * height) / GRID)
  const y1 = Math.round(((cell.row + 1) * height) / GRID)
  const cw = x1 - x0
  const ch = y1 - y0
  const f = SIZE_FRACTION[size]
  const fw = rng ? f.lo + rng.next() * (f.hi - f.lo) : f.exact
  const fh = rng ? f.lo + rng.next() * (f.hi - f.lo) : f.exact
  const w = Math.round(cw * fw)
  const h = Math.round(ch * fh)
  const x = x0 + (rng ? rng.int(0, cw - w) : Math.round((cw - w) / 2))
  const y = y0 + (rng ? rng.int(0, ch - h) : Math.round((ch - h) / 2))
  return { x, y, w, h }
}

export function makeObject(width: number, height: number, p: Placement, rng?: Rng): SceneObject {
  const box = boxInCell(width, height, p.cell, p.size, rng)
  const obj: SceneObject = { class: p.cls, color: p.color, ...box }
  if (p.text !== undefined) obj.text = p.text.toUpperCase()
  return obj
}

/** The grid cell holding an object's centre. */
export function cellOf(obj: SceneObject, width: number, height: number): Cell {
  const cx = obj.x + obj.w / 2
  const cy = obj.y + obj.h / 2
  return {
    row: Math.min(GRID - 1, Math.floor((cy * GRID) / height)),
    col: Math.min(GRID - 1, Math.floor((cx * GRID) / width)),
  }
}

/** Spatial relations between two objects, judged on grid cells so they agree with position bins. */
export type Relation = 'left of' | 'right of' | 'above' | 'below'
export const RELATIONS: readonly Relation[] = ['left of', 'right of', 'above', 'below']

export function holds(rel: Relation, a: Cell, b: Cell): boolean {
  switch (rel) {
    case 'left of':
      return a.col < b.col
    case 'right of':
      return a.col > b.col
    case 'above':
      return a.row < b.row
    case 'below':
      return a.row > b.row
  }
}

/** Words naming a cell, as a referring expression says it ("the cat on the top left"). */
export function cellWords(cell: Cell): string {
  const v = ['top', '', 'bottom'][cell.row] as string
  const h = ['left', '', 'right'][cell.col] as string
  if (!v && !h) return 'in the middle'
  return `on the ${[v, h].filter(Boolean).join(' ')}`
}

/**
 * A box in CoIN's Grounding answer format: corners normalised by the side of the image padded to
 * a square (LLaVA's expand2square centres the image, so the short side is offset by half the
 * padding; CoIN eval_grounding.py change_bbox), two decimals, "[x1, y1, x2, y2]".
 */
export function normalisedBbox(obj: SceneObject, width: number, height: number): string {
  const side = Math.max(width, height)
  const dx = (side - width) / 2
  const dy = (side - height) / 2
  const corners = [obj.x + dx, obj.y + dy, obj.x + obj.w + dx, obj.y + obj.h + dy]
  return `[${corners.map((v) => (v / side).toFixed(2)).join(', ')}]`
}
