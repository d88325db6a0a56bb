import { describe, expect, it } from 'vitest';
import { singleMaskIndex } from './single-from-multi.ts';

describe('single-mask choice from the multi-mask decoder (SamOnnxModel.select_masks)', () => {
  it('one click with its padding point, or a box: the best of the three ambiguity masks', () => {
    expect(singleMaskIndex([0.99, 0.5, 0.8, 0.7], 2)).toBe(2);
    expect(singleMaskIndex([0.1, 0.9, 0.8, 0.7], 2)).toBe(1);
  });

  it('three or more points: the multi-click token, whatever the scores', () => {
    expect(singleMaskIndex([0.01, 0.9, 0.95, 0.99], 3)).toBe(0);
    expect(singleMaskIndex([0.5, 0.9, 0.95, 0.99], 6)).toBe(0);
  });

  it('ties go to the first, as torch.argmax', () => {
    expect(singleMaskIndex([0.2, 0.7, 0.7, 0.1], 2)).toBe(1);
  });
});
