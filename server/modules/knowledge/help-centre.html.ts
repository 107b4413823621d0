import type { HelpCentre, PublicArticle, PublicCategory } from './help-centre.service';

/** Text for HTML content and attribute values. */
export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export interface PageLinks {
  /** The help centre's absolute address (canonical links, sitemap). */
  base: string;
}

const STYLE = `
:root{color-scheme:light;--ink:#1a1b1e;--muted:#555b66;--line:#dee2e6;--accent:#1864ab;--bg:#f8f9fa}
*{box-sizing:border-box}body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f59f00;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:1}
header.site{background:var(--bg);border-bottom:1px solid var(--line)}
.wrap{max-width:860px;margin:0 auto;padding:16px}
header.site .wrap{display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between}
header.site a.home{font-weight:700;font-size:1.15rem;text-decoration:none;color:var(--ink)}
form.search{display:flex;gap:8px;flex:1 1 260px;max-width:420px}
form.search input{flex:1;min-width:0;font:inherit;padding:8px 10px;border:1px solid #868e96;border-radius:6px}
button{font:inherit;padding:8px 14px;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
ul.articles{list-style:none;padding:0}ul.articles li{padding:10px 0;border-bottom:1px solid var(--line)}
ul.articles p{margin:4px 0 0;color:var(--muted);font-size:.95rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:16px}
.grid section{border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.grid h3{margin:0 0 4px}
nav.crumbs ol{list-style:none;padding:0;margin:0 0 8px;display:flex;flex-wrap:wrap;gap:6px;font-size:.9rem}
nav.crumbs li+li::before{content:"›";margin-right:6px;color:var(--muted)}
article img{max-width:100%;height:auto}article pre{overflow:auto;background:var(--bg);padding:12px;border-radius:6px}
article table{border-collapse:collapse}article th,article td{border:1px solid var(--line);padding:4px 8px}
.vote{margin-top:32px;padding:16px;border:1px solid var(--line);border-radius:8px}
.vote form{display:flex;gap:8px;flex-wrap:wrap}.vote fieldset{border:0;padding:0;margin:0}
.vote legend{font-weight:600;margin-bottom:8px}
footer{color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);margin-top:32px}
`;

function layout(
  hc: HelpCentre,
  links: PageLinks,
  page: {
    title: string;
    description: string;
    canonical: string;
    body: string;
    lang?: string;
    query?: string;
    noindex?: boolean;
  },
): string {
  return `<!doctype html>
<html lang="${esc(page.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<meta name="description" content="${esc(page.description)}">
${page.noindex ? '<meta name="robots" content="noindex">' : `<link rel="canonical" href="${esc(page.canonical)}">`}
<link rel="sitemap" type="application/xml" href="${esc(links.base)}/sitemap.xml">
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="wrap">
<a class="home" href="${esc(links.base)}">${esc(hc.title)}</a>
<form class="search" role="search" method="get" action="${esc(links.base)}/search">
<label for="q" class="skip">Search the help centre</label>
<input id="q" name="q" type="search" placeholder="Search articles" value="${esc(page.query ?? '')}" maxlength="200">
<button type="submit">Search</button>
</form>
</div></header>
<main id="main" class="wrap">
${page.body}
</main>
<footer><div class="wrap">${esc(hc.title)}</div></footer>
</body>
</html>`;
}

const articleLink = (links: PageLinks, a: PublicArticle) =>
  `${links.base}/articles/${encodeURIComponent(a.slug)}${a.locale === 'en' ? '' : `?lang=${encodeURIComponent(a.locale)}`}`;

function articleList(links: PageLinks, articles: PublicArticle[], withExcerpt = true): string {
  if (articles.length === 0) return '<p>No articles yet.</p>';
  return `<ul class="articles">${articles
    .map(
      (a) =>
        `<li><a href="${esc(articleLink(links, a))}" lang="${esc(a.locale)}">${esc(a.title)}</a>${
          withExcerpt && a.excerpt ? `<p>${esc(a.excerpt)}</p>` : ''
        }</li>`,
    )
    .join('')}</ul>`;
}

export function homePage(
  hc: HelpCentre,
  links: PageLinks,
  data: { categories: PublicCategory[]; articles: PublicArticle[]; popular: PublicArticle[] },
): string {
  const sections = data.categories
    .map((c) => {
      const inCat = data.articles.filter((a) => a.categoryId === c.id);
      return `<section aria-labelledby="cat-${esc(c.slug)}"><h3 id="cat-${esc(c.slug)}"><a href="${esc(
        `${links.base}/categories/${c.slug}`,
      )}">${esc(c.name)}</a></h3>${c.description ? `<p>${esc(c.description)}</p>` : ''}${articleList(
        links,
        inCat.slice(0, 5),
        false,
      )}</section>`;
    })
    .join('');
  const body = `<h1>${esc(hc.title)}</h1>
${data.categories.length ? `<h2>Browse by topic</h2><div class="grid">${sections}</div>` : ''}
<h2>Popular articles</h2>
${articleList(links, data.popular)}`;
  return layout(hc, links, {
    title: hc.title,
    description: `Answers and guides from ${hc.title}: ${data.popular
      .slice(0, 3)
      .map((a) => a.title)
      .join(', ')}`.slice(0, 300),
    canonical: links.base,
    body,
  });
}

export function categoryPage(
  hc: HelpCentre,
  links: PageLinks,
  data: { category: PublicCategory; articles: PublicArticle[] },
): string {
  const c = data.category;
  const body = `<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="${esc(links.base)}">${esc(
    hc.title,
  )}</a></li><li aria-current="page">${esc(c.name)}</li></ol></nav>
<h1>${esc(c.name)}</h1>${c.description ? `<p>${esc(c.description)}</p>` : ''}
${articleList(links, data.articles)}`;
  return layout(hc, links, {
    title: `${c.name} – ${hc.title}`,
    description: (c.description ?? `Articles about ${c.name}`).slice(0, 300),
    canonical: `${links.base}/categories/${c.slug}`,
    body,
  });
}

export function articlePage(
  hc: HelpCentre,
  links: PageLinks,
  data: { article: PublicArticle; category: PublicCategory | null },
  opts: { voted?: boolean },
): string {
  const a = data.article;
  const url = articleLink(links, a);
  const crumbs = [`<li><a href="${esc(links.base)}">${esc(hc.title)}</a></li>`];
  if (data.category)
    crumbs.push(
      `<li><a href="${esc(`${links.base}/categories/${data.category.slug}`)}">${esc(data.category.name)}</a></li>`,
    );
  crumbs.push(`<li aria-current="page">${esc(a.title)}</li>`);
  const vote = opts.voted
    ? '<p role="status">Thank you for your feedback.</p>'
    : `<form method="post" action="${esc(`${links.base}/articles/${encodeURIComponent(a.slug)}/vote`)}">
<input type="hidden" name="id" value="${esc(a.id)}">
<fieldset><legend>Was this article helpful?</legend>
<button type="submit" name="helpful" value="yes">Yes</button>
<button type="submit" name="helpful" value="no" class="secondary">No</button>
</fieldset></form>`;
  const body = `<nav class="crumbs" aria-label="Breadcrumb"><ol>${crumbs.join('')}</ol></nav>
<article lang="${esc(a.locale)}">
<h1>${esc(a.title)}</h1>
${a.publishedAt ? `<p><small>Updated <time datetime="${esc(a.publishedAt)}">${esc(a.publishedAt.slice(0, 10))}</time></small></p>` : ''}
${a.html}
</article>
<section class="vote" aria-label="Feedback">${vote}</section>`;
  return layout(hc, links, {
    title: `${a.title} – ${hc.title}`,
    description: a.excerpt || a.title,
    canonical: url,
    body,
    lang: a.locale,
  });
}

export function searchPage(hc: HelpCentre, links: PageLinks, q: string, results: PublicArticle[]): string {
  const heading = q ? `Results for “${esc(q)}”` : 'Search';
  const body = `<h1>${heading}</h1>
${
  q
    ? results.length
      ? `<p role="status">${results.length} article${results.length === 1 ? '' : 's'} found.</p>${articleList(links, results)}`
      : '<p role="status">No articles match your search. Try other words.</p>'
    : '<p>Type a few words in the search box.</p>'
}`;
  return layout(hc, links, {
    title: `${q ? `${q} – ` : ''}Search – ${hc.title}`,
    description: `Search ${hc.title}`,
    canonical: `${links.base}/search`,
    body,
    query: q,
    noindex: true,
  });
}

/** The same page for an unknown help centre, category or article: it says nothing of what exists. */
export function notFoundPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Page not found</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:640px;margin:10vh auto;padding:16px;color:#1a1b1e}</style></head>
<body><main><h1>Page not found</h1><p>There is no page at this address.</p></main></body></html>`;
}

export function sitemap(links: PageLinks, categories: PublicCategory[], articles: PublicArticle[]): string {
  const urls = [
    `<url><loc>${esc(links.base)}</loc></url>`,
    ...categories.map((c) => `<url><loc>${esc(`${links.base}/categories/${c.slug}`)}</loc></url>`),
    ...articles.map(
      (a) =>
        `<url><loc>${esc(articleLink(links, a))}</loc>${a.publishedAt ? `<lastmod>${esc(a.publishedAt.slice(0, 10))}</lastmod>` : ''}</url>`,
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`;
}
