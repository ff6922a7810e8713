-- links.lua: a pandoc filter for the handouts' HTML pages. A link to a
-- Markdown file next to the handout (02-mmap.md#sigbus-and-sigsegv) points to
-- that handout's HTML page instead (02-mmap.html#sigbus-and-sigsegv), so the
-- same link works on GitHub and in build/handouts/.

-- Link: rewrites NAME.md and NAME.md#FRAGMENT, leaves every other target alone.
function Link(el)
  local path, fragment = el.target:match('^([^#]*)(.*)$')
  if path:match('^[%w_.-]+%.md$') then
    el.target = path:gsub('%.md$', '.html') .. fragment
  end
  return el
end
