/** A seeded dice (mulberry32), so a failing run can be replayed with the seed it prints. */
export interface Dice {
  (): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: T[]): T[];
}

/** Independent dice for each part of a run, so one part's rolls never shift another's (the plan stays the seed's). */
export function diceFor(seed: number, part: 'plan' | 'agntix' | 'receiver' | 'svix'): Dice {
  const offsets = { plan: 0, agntix: 1, receiver: 2, svix: 3 };
  const mixer = seededDice(seed + offsets[part] * 0x9e3779b9);
  return seededDice(Math.floor(mixer() * 2 ** 32));
}

export function seededDice(seed: number): Dice {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const dice = next as Dice;
  dice.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  dice.pick = (items) => items[Math.floor(next() * items.length)]!;
  dice.shuffle = (items) => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  };
  return dice;
}
