/** The contract between the renderer and the Workstation. See `shared/api/contract.ts`. */
export * from './api/methods.ts';
export * from './api/contract.ts';
