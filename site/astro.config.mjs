// The dockervm tutorial site. Build: `npm run site:build` at the repository root (or `npm run build -w site`).
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import starlightLinksValidator from 'starlight-links-validator';
import { browserShims } from './src/lib/browser-shims.mjs';
import { onBuildWarning } from './src/lib/build-warnings.mjs';

// Where the site is published: the sitemap and canonical links need a full address. A deployment sets
// SITE_URL; a local build gets the address `npm run site:preview` serves it on.
const site = process.env.SITE_URL || 'http://localhost:4321/';

export default defineConfig({
  site,
  // The site is static: every page is prerendered, lesson pages ship no framework code.
  trailingSlash: 'always',
  vite: {
    plugins: [browserShims()],
    // The scaffolder's source lives outside site/ (../src, ../generators, ../templates, ../examples).
    server: { fs: { allow: ['..'] } },
    build: { rolldownOptions: { onwarn: onBuildWarning } },
  },
  integrations: [
    starlight({
      title: 'dockervm',
      // src/pages/404.astro is the site's own not-found page.
      disable404Route: true,
      description: 'Learn Docker from what you know about virtual machines, with examples that really run.',
      lastUpdated: false,
      pagination: true,
      customCss: ['./src/styles/site.css'],
      // Example files wrap their long lines (indented under their start) instead of hiding the end
      // behind a scrollbar that a phone does not show.
      expressiveCode: { defaultProps: { wrap: true } },
      // Loads Pagefind's UI on demand instead of on every page (see the component).
      components: { Search: './src/components/Search.astro' },
      plugins: [starlightLinksValidator({ errorOnRelativeLinks: false })],
      sidebar: [
        {
          label: 'Start here',
          items: [
            { label: 'Quick start', link: '/' },
            { label: 'Configure your VM', link: '/guide/configure/' },
            { label: 'Choose a desktop', link: '/guide/desktops/' },
          ],
        },
        { label: 'Lessons', items: [{ autogenerate: { directory: 'lessons' } }] },
        {
          label: 'Your project',
          items: [
            { label: 'The generated project', link: '/guide/generated-project/' },
            { label: 'A classroom of VMs', link: '/guide/classroom/' },
          ],
        },
        {
          label: 'Reference',
          items: [
            { label: 'create-dockervm', link: '/reference/create-dockervm/' },
            { label: 'dockervm', link: '/reference/dockervm/' },
            { label: 'When things go wrong', link: '/reference/errors/' },
          ],
        },
      ],
    }),
  ],
});
