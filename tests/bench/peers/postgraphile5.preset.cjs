// PostGraphile v5 as `make bench PEERS=1` serves it: extends the amber preset (named before this file on the
// command line, so these settings win) with production settings.
module.exports = {
  // Order and filter by any column, not only an index's first: what v4 does by default (its own v4 preset
  // disables the same plugin), and what the bench's orderBy on created_at needs.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};
