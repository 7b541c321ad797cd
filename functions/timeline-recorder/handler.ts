import { assemble } from '../../shared/app/container.ts';
import { foundationFromEnv } from '../../shared/app/environment.ts';
import { contactRepository, fieldDefinitions } from '../../shared/app/repositories.ts';
import { contactService } from '../../shared/app/contacts.ts';
import { timelineService } from '../../shared/app/timeline.ts';
import { create } from './app.ts';

export const handler = create(
  assemble({
    ...foundationFromEnv(),
    contactRepository,
    fields: fieldDefinitions,
    contacts: contactService,
    timeline: timelineService,
  }),
);
