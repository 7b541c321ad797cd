import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { taskRepository } from '../../shared/app/repositories.ts';
import { reminderService } from '../../shared/app/reminders.ts';
import { create } from './app.ts';

export const handler = create(assemble({ ...foundationFromEnv(), taskRepository, reminders: reminderService }));
