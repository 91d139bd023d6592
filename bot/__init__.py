"""duizhao: interview a Party member and write their 对照检查材料."""
