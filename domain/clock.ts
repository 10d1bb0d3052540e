/** The time source of anything that decides by the clock (activities, services); tests inject their own. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
