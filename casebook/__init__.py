"""casebook: the BU/SUBU widening participation partnership matrix and its stories, as a site."""
