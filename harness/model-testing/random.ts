export function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

export function newSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
