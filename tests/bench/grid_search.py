"""The benchmark's grid as scikit-learn runs it: regParam {0, 0.01, 0.1, 1} x
elasticNetParam {0, 0.5, 1} (Spark's names, mapped by each estimator wrapper onto its
`reg_param` and `elastic_net_param`), over Brasa's folds given as explicit indices,
GridSearchCV(n_jobs=2), the best point refitted on all rows."""

import numpy as np
from sklearn.model_selection import GridSearchCV

REG = [0.0, 0.01, 0.1, 1.0]
ENET = [0.0, 0.5, 1.0]


def grid_search(estimator, X, y, fold, folds, scoring):
    """Runs the grid; returns the best point by Spark's param names."""
    cv = [(np.flatnonzero(fold != f), np.flatnonzero(fold == f)) for f in range(folds)]
    search = GridSearchCV(
        estimator,
        {"reg_param": REG, "elastic_net_param": ENET},
        cv=cv,
        scoring=scoring,
        n_jobs=2,
        refit=True,
    ).fit(X, y)
    best = search.best_params_
    return {"regParam": best["reg_param"], "elasticNetParam": best["elastic_net_param"]}
