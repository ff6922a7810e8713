-- links.lua: a pandoc filter for the handouts' HTML pages.
-- * A link to a Markdown file next to the handout (02-mmap.md#sigbus-and-sigsegv)
--   points to that handout's HTML page instead (02-mmap.html#sigbus-and-sigsegv),
--   so the same link works on GitHub and in build/handouts/.
-- * -M prev=NN-topic and -M next=NN-topic (handouts/meson.build) become the
--   prev-/next- href, title and short label that page.html shows.
-- * Inline code breaks only at its spaces, never inside a path or an option
--   (labs/04-sem/ring_put.cpp), and each table scrolls sideways in a box of its own.

local here = PANDOC_SCRIPT_FILE:match('^(.*)/[^/]*$') or '.'

-- Link: rewrites NAME.md and NAME.md#FRAGMENT, leaves every other target alone.
function Link(el)
  local path, fragment = el.target:match('^([^#]*)(.*)$')
  if path:match('^[%w_.-]+%.md$') then
    el.target = path:gsub('%.md$', '.html') .. fragment
  end
  return el
end

-- escape: TEXT with the characters HTML gives a meaning to escaped.
local function escape(text)
  return (text:gsub('[&<>"]', {['&'] = '&amp;', ['<'] = '&lt;', ['>'] = '&gt;', ['"'] = '&quot;'}))
end

-- Code: inline code as <code> whose words (runs without a space) never break.
function Code(el)
  if not FORMAT:match('html') then return nil end
  local words = el.text:gsub('[^ ]+', function(w) return '<span class="w">' .. escape(w) .. '</span>' end)
  return pandoc.RawInline('html', '<code>' .. words .. '</code>')
end

-- Table: the table inside a box that scrolls sideways when the table is wider
-- than the column (focusable, so that a keyboard can scroll it too).
function Table(el)
  return pandoc.Div({el}, pandoc.Attr('', {'table-wrap'}, {tabindex = '0'}))
end

-- handout_title: the first '# ' heading of handouts/NAME.md, or NAME.
local function handout_title(name)
  local f = io.open(here .. '/' .. name .. '.md', 'r')
  if not f then return name end
  for line in f:lines() do
    local title = line:match('^# (.+)$')
    if title then f:close() return title end
  end
  f:close()
  return name
end

-- Meta: prev=NN-topic and next=NN-topic as the links of the page's top bar.
function Meta(meta)
  for _, key in ipairs({'prev', 'next'}) do
    if meta[key] then
      local name = pandoc.utils.stringify(meta[key])
      local title = handout_title(name)
      meta[key .. '-href'] = pandoc.MetaString(name .. '.html')
      meta[key .. '-title'] = pandoc.MetaString(title)
      meta[key .. '-short'] = pandoc.MetaString(title:match('^([^:]+):') or title)
    end
  end
  return meta
end
