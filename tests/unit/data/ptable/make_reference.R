# make_reference.R - reference perturbation tables for test_ptable.c, made
# with the R package ptable's own construction (sdcTools/ptable, version
# 0.3.3, commit 9d5c7741b20672ebaff78cb8598736c2e5d65c14, EUPL).
#
# The package needs data.table, nloptr and rlang (Debian: r-cran-data.table,
# r-cran-nloptr, r-cran-rlang). Run from this folder with the package's R/
# folder as the argument:
#   Rscript make_reference.R /path/to/ptable/R
# It writes one CSV per parameter set: D<D>_V<V*100>_js<js>.csv with the
# columns i,j,p,v,p_int_lb,p_int_ub of the package's pTable slot, and
# refused.txt with the sets the package refuses.
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 1)
suppressPackageStartupMessages({
  library(methods)
  library(data.table)
  library(nloptr)
  library(rlang)
})
for (f in c("pt_classes.R", "helpers.R", "pt_optim_entropy.R",
            "pt_create_pParams.R", "pt_create_pTable.R"))
  source(file.path(args[1], f))

params <- list(
  c(D = 2, V = 0.9, js = 0), c(D = 2, V = 1, js = 1), c(D = 3, V = 1.5, js = 1),
  c(D = 3, V = 2, js = 2), c(D = 4, V = 1.5, js = 0), c(D = 4, V = 2.25, js = 2),
  c(D = 4, V = 3, js = 4), c(D = 5, V = 2, js = 2), c(D = 5, V = 3, js = 2),
  c(D = 5, V = 3, js = 4), c(D = 2, V = 3, js = 0), c(D = 3, V = 0.9, js = 0))
failed <- character()
for (pp in params) {
  name <- sprintf("D%d_V%d_js%d", pp[["D"]], round(pp[["V"]] * 100), pp[["js"]])
  pt <- tryCatch(create_cnt_ptable(D = pp[["D"]], V = pp[["V"]], js = pp[["js"]]),
                 error = function(e) NULL)
  if (is.null(pt)) {
    failed <- c(failed, name)
    next
  }
# The parameter sets the package refuses ("The variance parameter you set is
# too small!"), one a line.
writeLines(failed, "refused.txt")
  tab <- slot(pt, "pTable")
  out <- data.frame(i = tab$i, j = tab$j, p = sprintf("%.8f", tab$p), v = tab$v,
                    p_int_lb = sprintf("%.8f", tab$p_int_lb),
                    p_int_ub = sprintf("%.8f", tab$p_int_ub))
  write.csv(out, paste0(name, ".csv"), row.names = FALSE, quote = FALSE)
}
# The parameter sets the package refuses ("The variance parameter you set is
# too small!"), one a line.
writeLines(failed, "refused.txt")
