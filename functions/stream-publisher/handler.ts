import { create } from './app.ts';

export const handler = create();
