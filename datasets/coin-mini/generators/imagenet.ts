import type { Rng } from '../prng.ts'
import type { Sample } from '../sample.ts'
import { IMAGE_SIZES, type SceneObject } from '../scene.ts'
import { CLASSES, CLUTTER, COLORS } from '../vocab.ts'

/**
 * ImageNet: classify the single dominant object. It covers most of the picture; up to two small
 * background objects (trees, rocks...) are never the answer, so the learner must look past them.
 */
export function imagenet(rng: Rng): Sample {
  const [width, height] = rng.pick(IMAGE_SIZES)
  const cls = rng.pick(CLASSES)
  const w = Math.round(width * (0.55 + 0.25 * rng.next()))
  const h = Math.round(height * (0.55 + 0.25 * rng.next()))
  const main: SceneObject = {
    class: cls,
    color: rng.pick(COLORS),
    x: rng.int(0, width - w),
    y: rng.int(0, height - h),
    w,
    h,
  }
  const clutter = Array.from({ length: rng.int(0, 2) }, (): SceneObject => {
    const cw = Math.round(width * (0.08 + 0.06 * rng.next()))
    const ch = Math.round(height * (0.08 + 0.06 * rng.next()))
    return {
      class: rng.pick(CLUTTER),
      color: rng.pick(COLORS),
      x: rng.int(0, width - cw),
      y: rng.int(0, height - ch),
      w: cw,
      h: ch,
    }
  })
  return {
    scene: { width, height, objects: rng.shuffle([main, ...clutter]) },
    question: 'What is the object in the image?',
    answer: cls,
  }
}
