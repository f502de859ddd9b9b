## make_reference.R -- RECONSTRUCTED from README.md; NOT the script that produced r_reference.json,
## and NOT re-run here (there is no R on the project's machines). It rebuilds the R calls the README
## documents so that anyone with R can regenerate the references and compare. Versions that
## produced r_reference.json: R 4.2.2, splm 1.6-5, plm 2.6-2, spdep 1.2-7, spatialreg 1.2-6.
##
## Usage: Rscript make_reference.R   (writes r_reference_rerun.json next to this file)

library(plm)
library(splm)
library(spdep)
library(spatialreg)
library(jsonlite)

out <- list()
tidy <- function(fit, name) {
  s <- summary(fit)
  list(name = name, coef = as.list(coef(fit)), se = as.list(sqrt(diag(vcov(fit)))))
}

## --- Produc, splm --------------------------------------------------------------------------------
data("Produc", package = "plm")
data("usaww", package = "splm")
lw <- mat2listw(usaww, style = "W")
fm <- log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp

spml_ref <- function(name, ...) {
  t0 <- Sys.time()
  fit <- spml(fm, data = Produc, listw = lw, ...)
  secs <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  list(name = name, coef = as.list(coef(fit)), se = as.list(sqrt(diag(fit$vcov))),
       logLik = fit$logLik, sigma2 = fit$sigma2, spec = list(...), secs = secs)
}
out$sar_fe_ind <- spml_ref("sar_fe_ind", model = "within", effect = "individual",
                           lag = TRUE, spatial.error = "none")
out$sar_fe_tw <- spml_ref("sar_fe_tw", model = "within", effect = "twoways",
                          lag = TRUE, spatial.error = "none")
out$sem_fe_ind <- spml_ref("sem_fe_ind", model = "within", effect = "individual",
                           lag = FALSE, spatial.error = "b")
re <- spml(fm, data = Produc, listw = lw, model = "random", effect = "individual",
           lag = TRUE, spatial.error = "none")
out$sar_re <- list(name = "sar_re", coef = as.list(coef(re)), se = as.list(sqrt(diag(re$vcov))),
                   logLik = re$logLik, sigma2 = re$sigma2, arcoef = as.list(re$arcoef),
                   errcomp = as.list(re$errcomp),
                   spec = list(model = "random", effect = "individual", lag = TRUE,
                               spatial.error = "none"))

## SDM: the WX columns are W applied to each year's X (Produc is sorted by state, then year)
P <- Produc[order(Produc$year, Produc$state), ]
X <- with(P, cbind(lpcap = log(pcap), lpc = log(pc), lemp = log(emp), unemp = unemp))
WX <- do.call(rbind, lapply(split(as.data.frame(X), P$year),
                            function(x) as.matrix(usaww %*% as.matrix(x))))
colnames(WX) <- paste0("W_", colnames(X))
P <- cbind(P, WX)
sdm <- spml(log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp + W_lpcap + W_lpc + W_lemp + W_unemp,
            data = P, index = c("state", "year"), listw = lw, model = "within",
            effect = "individual", lag = TRUE, spatial.error = "none")
out$sdm_fe_ind <- list(name = "sdm_fe_ind", coef = as.list(coef(sdm)),
                       se = as.list(sqrt(diag(sdm$vcov))), logLik = sdm$logLik,
                       sigma2 = sdm$sigma2,
                       spec = list(model = "within", effect = "individual", lag = TRUE,
                                   spatial.error = "none", durbin = TRUE))

## impacts of sar_fe_ind: analytic means, simulated SEs (R = 1000 after set.seed(12345))
sar <- spml(fm, data = Produc, listw = lw, model = "within", effect = "individual",
            lag = TRUE, spatial.error = "none")
set.seed(12345)
imp <- impacts(sar, listw = lw, time = 17, R = 1000)
s <- summary(imp, zstats = TRUE, short = TRUE)
out$sar_fe_ind_impacts <- list(direct = imp$res$direct, indirect = imp$res$indirect,
                               total = imp$res$total, names = attr(imp, "bnames"),
                               sim_se_direct = s$semat[, "Direct"],
                               sim_se_indirect = s$semat[, "Indirect"],
                               sim_se_total = s$semat[, "Total"], R = 1000, seed = 12345)

## LM tests
lm_stats <- function(model, tests) {
  setNames(lapply(tests, function(t) unname(slmtest(fm, data = Produc, listw = lw,
                                                    model = model, test = t)$statistic)), tests)
}
out$slmtest_within <- lm_stats("within", c("lml", "lme", "rlml", "rlme"))
out$slmtest_pooling <- lm_stats("pooling", c("lml", "lme"))

## --- Grunfeld, plm -------------------------------------------------------------------------------
data("Grunfeld", package = "plm")
fe <- plm(inv ~ value + capital, data = Grunfeld, model = "within")
rs <- plm(inv ~ value + capital, data = Grunfeld, model = "random")  # random.method = "swar"
out$grunfeld_fe_ind <- tidy(fe, "fe_ind")
out$grunfeld_re_swar <- c(tidy(rs, "re_swar"), list(theta = unname(rs$ercomp$theta)))
h <- phtest(fe, rs)
out$grunfeld_hausman <- list(statistic = unname(h$statistic), df = unname(h$parameter),
                             p = h$p.value)
out$grunfeld_fe_ind_cluster_HC1 <- list(
  se = as.list(sqrt(diag(vcovHC(fe, method = "arellano", type = "HC1")))))

## --- Columbus, spatialreg ------------------------------------------------------------------------
data("oldcol", package = "spdep")  # COL.OLD, COL.nb
cw <- nb2listw(COL.nb, style = "W")
sr_ref <- function(fit, name) {
  list(name = name, coef = as.list(coef(fit)[names(coef(fit)) %in% c("(Intercept)", "INC", "HOVAL")]),
       se = as.list(fit$rest.se), logLik = as.numeric(logLik(fit)),
       rho = unname(fit$rho), rho_se = fit$rho.se, lambda = unname(fit$lambda),
       lambda_se = fit$lambda.se, s2 = fit$s2)
}
out$columbus_lag <- sr_ref(lagsarlm(CRIME ~ INC + HOVAL, data = COL.OLD, listw = cw), "lag")
out$columbus_error <- sr_ref(errorsarlm(CRIME ~ INC + HOVAL, data = COL.OLD, listw = cw), "error")

out$versions <- list(R = R.version.string, splm = as.character(packageVersion("splm")),
                     plm = as.character(packageVersion("plm")),
                     spdep = as.character(packageVersion("spdep")),
                     spatialreg = as.character(packageVersion("spatialreg")))
write_json(out, "r_reference_rerun.json", auto_unbox = TRUE, digits = 12, pretty = TRUE)
