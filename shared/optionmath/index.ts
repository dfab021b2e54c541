/** Option math shared by the main process and the renderer: BSM, implied vol, American pricing, the normal distribution. */
export * from './bsm.ts';
export * from './iv.ts';
export * from './american.ts';
export { erfc, normCdf, normPdf, normInv } from './normal.ts';
