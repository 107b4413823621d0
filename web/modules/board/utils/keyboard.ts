import type { KeyboardCoordinateGetter } from '@dnd-kit/core';

/**
 * Keyboard moves for the board: left and right arrows jump the picked-up card to the
 * neighbouring column (dnd-kit's default nudges it 25 px, far from the next column).
 */
export const columnJump: KeyboardCoordinateGetter = (event, { currentCoordinates, context }) => {
  if (event.code !== 'ArrowRight' && event.code !== 'ArrowLeft') return undefined;
  event.preventDefault();
  const rects = [...context.droppableRects.entries()].sort(([, a], [, b]) => a.left - b.left);
  if (rects.length === 0) return undefined;
  const overId = context.over?.id;
  let index = rects.findIndex(([id]) => id === overId);
  if (index === -1) {
    const x = (context.collisionRect?.left ?? currentCoordinates.x) + (context.collisionRect?.width ?? 0) / 2;
    index = rects.findIndex(([, r]) => x >= r.left && x <= r.left + r.width);
  }
  if (index === -1) return undefined;
  const current = rects[index]?.[1];
  const target = rects[index + (event.code === 'ArrowRight' ? 1 : -1)]?.[1];
  if (!current || !target) return undefined;
  return { x: currentCoordinates.x + (target.left - current.left), y: currentCoordinates.y };
};
