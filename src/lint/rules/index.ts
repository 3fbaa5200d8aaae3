// The Dockerfile rule table, in code order; SARIF and docs list rules from here.
import { DL3008, DL3009, DL3014, DL3015, DL3027 } from './apt.ts';
import type { Rule } from './context.ts';
import { DL4001, DL3047 } from './downloads.ts';
import { DL3000, DL3002, DL3006, DL3007, DL3020, DL3022, DL3024, DL3025, DL3026, DL4000, DL4003, DL4004 } from './image.ts';
import { DL3013, DL3016, DL3042 } from './languages.ts';
import { DL3018, DL3019, DL3032, DL3033, DL3040, DL3041 } from './packages.ts';
import { DL3003, DL3004, DL3059, DL4006 } from './run.ts';
import { DVM001, DVM002 } from './secrets.ts';

export const DOCKERFILE_RULES: readonly Rule[] = [
  DL3000,
  DL3002,
  DL3003,
  DL3004,
  DL3006,
  DL3007,
  DL3008,
  DL3009,
  DL3013,
  DL3014,
  DL3015,
  DL3016,
  DL3018,
  DL3019,
  DL3020,
  DL3022,
  DL3024,
  DL3025,
  DL3026,
  DL3027,
  DL3032,
  DL3033,
  DL3040,
  DL3041,
  DL3042,
  DL3047,
  DL3059,
  DL4000,
  DL4001,
  DL4003,
  DL4004,
  DL4006,
  DVM001,
  DVM002,
];

export type { Rule } from './context.ts';
