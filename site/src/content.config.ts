import { defineCollection } from 'astro:content';
import { docsLoader, i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }),
  // The site's own wording for Starlight's UI strings (src/content/i18n/en.json), e.g. the code
  // blocks' copy button says what the lesson terminals' buttons say.
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
};
