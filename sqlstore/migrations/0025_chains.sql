-- Industry chains (issue 12). The set — every chain with its links,
-- relations and the sources it was read from — is kept as one JSON
-- document (package chain): it is read whole, a few hundred links.
-- chain_links names each link for the records that point at one
-- (placements of enterprises, leads), so that a link can be looked up and
-- joined without parsing the document.
CREATE TABLE chain_sets (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    doc        TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL,
    updated_by TEXT    NOT NULL
);

CREATE TABLE chain_links (
    id          TEXT    NOT NULL PRIMARY KEY,
    industry_id TEXT    NOT NULL,
    parent      TEXT    NOT NULL,
    stage       TEXT    NOT NULL,
    position    INTEGER NOT NULL
);
CREATE INDEX chain_links_industry ON chain_links (industry_id, position);
