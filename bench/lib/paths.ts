import { resolve } from 'node:path';

/** The repository root (this file runs compiled from bench/.build/bench/lib/). */
export const REPO_ROOT = resolve(__dirname, '../../../..');
/** The compiled bench scripts. */
export const BENCH_BUILD = resolve(REPO_ROOT, 'bench/.build/bench');
/** Where results and scratch files go. */
export const RESULTS_DIR = resolve(REPO_ROOT, 'bench/results');
