import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { contactRepository } from '../../shared/app/repositories.ts';
import { systemTimeline } from '../../shared/app/system-timeline.ts';
import { create } from './app.ts';

export const handler = create(assemble({ ...foundationFromEnv(), contactRepository, timeline: systemTimeline }));
