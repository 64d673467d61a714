import type { Rng } from './prng.ts'
import {
  ALL_CELLS,
  type Cell,
  IMAGE_SIZES,
  makeObject,
  type Placement,
  type Scene,
  type SceneObject,
  type SizeClass,
} from './scene.ts'

/** What a task asks for; cell and size are chosen here when left out. */
export interface ObjectSpec {
  cls: string
  color: string
  cell?: Cell
  size?: SizeClass
  text?: string
}

export interface Layout {
  scene: Scene
  /** The placed objects, in the order of the specs. */
  objects: SceneObject[]
  cells: Cell[]
}

/**
 * Places objects in distinct cells of the 3×3 grid (at most nine), each jittered inside its cell.
 * One object per cell keeps positions and relations unambiguous for a learner that sees only
 * coarse position bins. Objects are written to the scene in random order so list position carries
 * no information.
 */
export function layoutScene(
  rng: Rng,
  specs: readonly ObjectSpec[],
  shape?: readonly [number, number],
): Layout {
  const [width, height] = shape ?? rng.pick(IMAGE_SIZES)
  const taken = specs.flatMap((s) => (s.cell ? [s.cell] : []))
  const free = rng.shuffle(ALL_CELLS.filter((c) => !taken.some((t) => t.row === c.row && t.col === c.col)))
  const cells = specs.map((s) => {
    if (s.cell) return s.cell
    const cell = free.pop()
    if (!cell)
      throw new Error(`internal error: ${specs.length} objects do not fit in a ${ALL_CELLS.length}-cell grid`)
    return cell
  })
  const objects = specs.map((s, i) => {
    const placement: Placement = {
      cls: s.cls,
      color: s.color,
      cell: cells[i] as Cell,
      size: s.size ?? (rng.chance(0.5) ? 'large' : 'small'),
    }
    if (s.text !== undefined) placement.text = s.text
    return makeObject(width, height, placement, rng)
  })
  return { scene: { width, height, objects: rng.shuffle(objects) }, objects, cells }
}
