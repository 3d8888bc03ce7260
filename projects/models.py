"""Partnership projects (共富项目) and cooperation project lists (毗邻党建, 山海协作)."""
